// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>Options of <see cref="Recorder"/>.</summary>
public sealed class RecorderOptions
{
    /// <summary>Gets or sets the C compiler; null tries <c>$CC</c>, cc, gcc, clang.</summary>
    /// <value>Default null.</value>
    public string? Compiler { get; set; }

    /// <summary>Gets or sets where the built library is cached; null = <c>$XDG_CACHE_HOME/allocators</c> or <c>~/.cache/allocators</c>.</summary>
    /// <value>Default null.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets a value indicating whether the program's standard output and error are discarded instead of inherited.</summary>
    /// <value>Default false.</value>
    public bool DiscardOutput { get; set; }

    /// <summary>Gets or sets the directories searched for a C compiler (colon-separated, like PATH); null = PATH. For tests.</summary>
    internal string? SearchPath { get; set; }

    /// <summary>Gets or sets the working directory of the program; null = the current directory.</summary>
    /// <value>Default null.</value>
    public string? WorkingDirectory { get; set; }
}
