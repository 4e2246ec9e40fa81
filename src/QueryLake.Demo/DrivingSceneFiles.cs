namespace QueryLake.Demo;

/// <summary>What <see cref="DrivingSceneGenerator.Generate"/> wrote.</summary>
/// <param name="FramesGlob">A glob matching every frame (PNG files, a few of them damaged or empty on purpose).</param>
/// <param name="LabelsPath">JSON Lines, one object per frame: path, frame, drive, camera, captured_at, weather, objects.</param>
/// <param name="PredictionsPath">CSV (path, prediction, confidence): a toy weather model's predictions for every frame it could decode.</param>
/// <param name="Frames">Number of frame files written.</param>
/// <param name="Damaged">Number of frames written truncated or empty.</param>
public sealed record DrivingSceneFiles(string FramesGlob, string LabelsPath, string PredictionsPath, int Frames, int Damaged);
