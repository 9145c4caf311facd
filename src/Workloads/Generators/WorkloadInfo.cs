// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>A synthetic workload <see cref="WorkloadGenerator"/> can produce.</summary>
/// <param name="Name">The name to pass to <see cref="WorkloadGenerator.Generate(string, ulong, double, ITraceSink)"/>.</param>
/// <param name="Description">What it does and which benchmark it follows.</param>
/// <param name="Threads">The number of threads running at once (short-lived threads get new tids).</param>
public sealed record WorkloadInfo(string Name, string Description, int Threads);
