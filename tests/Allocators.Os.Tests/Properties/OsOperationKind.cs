// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Properties;

public enum OsOperationKind
{
    MmapAnywhere,
    MmapFixed,
    MmapFixedNoReplace,
    Munmap,
    Mprotect,
    MadviseDontNeed,
    Mremap,
    Write,
    Read,
}
