using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Distributed;

/// <summary>
/// A query cut for a cluster (<see cref="StageSplitter"/>): <see cref="Stages"/> in an order where each stage's inputs
/// come before it, and the <see cref="Coordinator"/>'s plan over the rows of the stages that gather (its
/// <see cref="StageSource"/> leaves). No stages: the coordinator runs the whole query.
/// </summary>
internal sealed record StagePlan(IReadOnlyList<Stage> Stages, LogicalPlan Coordinator);
