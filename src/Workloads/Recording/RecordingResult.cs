// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>What <see cref="Recorder.Record"/> produced.</summary>
/// <param name="TracePath">The trace of the program itself (the first process).</param>
/// <param name="Calls">The number of calls in <see cref="TracePath"/>.</param>
/// <param name="ChildTracePaths">Traces of other processes (fork children, exec'd programs): <c>TracePath.&lt;pid&gt;</c>.</param>
/// <param name="IncompleteTracePaths">Traces of processes that ended without closing their trace (killed by a signal), renamed <c>….incomplete</c>.</param>
/// <param name="ExitCode">The program's exit code.</param>
public sealed record RecordingResult(string TracePath, long Calls, IReadOnlyList<string> ChildTracePaths, IReadOnlyList<string> IncompleteTracePaths, int ExitCode);
