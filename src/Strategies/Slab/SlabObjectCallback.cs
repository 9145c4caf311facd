// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>
/// A typed cache's object constructor or destructor (kmem_cache_create's ctor/dtor): called once per object slot
/// when its slab is created (constructor) or destroyed (destructor), never on each allocation or free.
/// </summary>
/// <param name="address">The simulated address of the object.</param>
/// <param name="os">The simulated process, to read and write the object.</param>
public delegate void SlabObjectCallback(ulong address, ISimulatedOs os);
