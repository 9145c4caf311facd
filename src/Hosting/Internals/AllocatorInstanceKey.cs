// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Hosting;

/// <summary>
/// The internal service key of one allocator instance: its strategy and options name. The strategy is part of the key
/// so that <c>AddGlibcAllocator()</c> followed by <c>AddSlabAllocator()</c> still gives each concrete type its own instance
/// while the unkeyed <see cref="IAllocator"/> stays the first one registered.
/// </summary>
internal readonly record struct AllocatorInstanceKey(string Strategy, string OptionsName);
