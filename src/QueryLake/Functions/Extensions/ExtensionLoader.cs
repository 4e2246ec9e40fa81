using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace QueryLake.Functions.Extensions;

/// <summary>Finds extension assemblies (marked with <see cref="QueryLakeExtensionAttribute"/>) and lets each register
/// its functions: the assemblies already loaded, and the <c>QueryLake.*.dll</c> files beside QueryLake.Core (an
/// application's output folder, where a package reference puts them).</summary>
internal static class ExtensionLoader
{
    public static void LoadInto(FunctionRegistry registry)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var core = typeof(ExtensionLoader).Assembly;
        foreach (var assembly in Candidates(core))
        {
            if (assembly == core || !seen.Add(assembly.GetName().Name ?? "")) continue;
            foreach (var mark in assembly.GetCustomAttributes<QueryLakeExtensionAttribute>())
                if (Activator.CreateInstance(mark.Registrar) is IFunctionExtension extension) extension.Register(registry);
        }
    }

    private static IEnumerable<Assembly> Candidates(Assembly core)
    {
        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
            if (loaded.GetName().Name?.StartsWith("QueryLake.", StringComparison.OrdinalIgnoreCase) == true) yield return loaded;
        var seenNames = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var folders = new[] { Path.GetDirectoryName(core.Location), AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d) && Directory.Exists(d)).Distinct();
        foreach (var folder in folders)
            foreach (var file in Directory.EnumerateFiles(folder!, "QueryLake.*.dll"))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (name is "QueryLake.Core" || seenNames.Contains(name) || !Marked(file)) continue;
                Assembly? assembly;
                try { assembly = Assembly.Load(new AssemblyName(name)); }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // Not on the application's probing path (copied in by hand): load it from the file.
                    try { assembly = Assembly.LoadFrom(file); }
                    catch (Exception inner) when (inner is FileNotFoundException or FileLoadException or BadImageFormatException) { continue; }
                }
                yield return assembly;
            }
    }

    /// <summary>Whether the assembly file carries the extension attribute, read from its metadata without loading it
    /// (the other QueryLake assemblies beside the application, the Flight server's among them, stay unloaded).</summary>
    internal static bool Marked(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata) return false;
            var md = pe.GetMetadataReader();
            foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
            {
                var ctor = md.GetCustomAttribute(handle).Constructor;
                var type = ctor.Kind switch
                {
                    HandleKind.MemberReference when md.GetMemberReference((MemberReferenceHandle)ctor).Parent is { Kind: HandleKind.TypeReference } parent
                        => md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name),
                    HandleKind.MethodDefinition => md.GetString(md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)ctor).GetDeclaringType()).Name),
                    _ => null,
                };
                if (type == nameof(QueryLakeExtensionAttribute)) return true;
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException) { return false; }
    }
}
