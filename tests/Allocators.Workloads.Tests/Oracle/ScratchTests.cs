// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;

namespace Allocators.Workloads.Tests.Oracle;

public sealed class ScratchTests
{
    [Fact]
    public void Scratch()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var file in Directory.GetFiles("/tmp/or/scratch", Environment.GetEnvironmentVariable("SCRATCH") ?? "*.txt").Order())
        {
            var script = OracleScript.Parse(File.ReadAllText(file));
            var real = GlibcOracle.Default.Run(script);
            var sim = SimulatedOracle.Run(script, null, real.InitialBreak);
            var c = OracleComparer.Compare(script, real, sim);
            sb.Append($"== {Path.GetFileName(file)}: {(c.IsMatch ? "MATCH" : c.Description)}\n");
            if (!c.IsMatch) { sb.Append(real.ToString()).Append(sim.ToString()).Append(sim.Detail).Append('\n'); }
        }
        File.WriteAllText("/tmp/or/scratch.out", sb.ToString());
    }
}
