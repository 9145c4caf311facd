// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Strategies.Glibc;

/// <summary>ptmalloc_init (tunables) and mallopt (spec §4.1, §15).</summary>
public sealed partial class GlibcAllocator
{
    /// <summary>ptmalloc_init: tcache_key from the seeded generator (getrandom is not simulated), then the set tunables.</summary>
    private void PtmallocInit()
    {
        _initialized = true;
        var rng = new Random(_options.RandomSeed);
        do
        {
            _tcacheKey = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63);
        }
        while (_tcacheKey == 0);

        _globalMaxFast = SetMaxFastValue(128);
        GlibcAllocatorOptions o = _options;
        if (o.TopPadBytes is ulong topPad)
        {
            _topPad = topPad;
            _noDynThreshold = true;
        }

        if (o.Perturb is int perturb)
        {
            _perturb = (byte)perturb;
        }

        if (o.MmapThresholdBytes is ulong mt)
        {
            _mmapThreshold = mt;
            _noDynThreshold = true;
        }

        if (o.TrimThresholdBytes is ulong tt)
        {
            _trimThreshold = tt;
            _noDynThreshold = true;
        }

        if (o.MmapMax is int mm)
        {
            _nMmapsMax = mm;
            _noDynThreshold = true;
        }

        if (o.ArenaMax is int am)
        {
            _arenaMax = am;
        }

        if (o.ArenaTest is int at)
        {
            _arenaTest = at;
        }

        if (o.TcacheMaxBytes is ulong tm)
        {
            _tcacheMaxBytes = tm;
            _tcacheBins = ChunkHeader.TcacheIndex(ChunkHeader.RequestToSize(tm)) + 1;
        }

        if (o.TcacheCount is ulong tc)
        {
            _tcacheCount = tc;
        }

        if (o.TcacheUnsortedLimit is ulong tul)
        {
            _tcacheUnsortedLimit = tul;
        }

        if (o.MaxFastBytes is ulong mf)
        {
            _globalMaxFast = SetMaxFastValue(mf);
        }
    }

    private static ulong SetMaxFastValue(ulong value)
        => value <= ChunkHeader.AlignMask - ChunkHeader.Word ? ChunkHeader.MinSize / 2 : (value + ChunkHeader.Word) & ~ChunkHeader.AlignMask;

    private int MalloptInternal(int param, int value)
    {
        if (!_initialized)
        {
            PtmallocInit();
        }

        _av = _main;
        MallocConsolidate();
        switch (param)
        {
            case GlibcMallopt.MxFast:
                if ((ulong)(long)value <= GlibcAllocatorOptionsValidator.MaxFastSize)
                {
                    _globalMaxFast = SetMaxFastValue((ulong)value);
                    return 1;
                }

                return 0;
            case GlibcMallopt.TrimThreshold:
                _trimThreshold = (ulong)(long)value;
                _noDynThreshold = true;
                return 1;
            case GlibcMallopt.TopPad:
                _topPad = (ulong)(long)value;
                _noDynThreshold = true;
                return 1;
            case GlibcMallopt.MmapThreshold:
                _mmapThreshold = (ulong)(long)value;
                _noDynThreshold = true;
                return 1;
            case GlibcMallopt.MmapMax:
                _nMmapsMax = value;
                _noDynThreshold = true;
                return 1;
            case GlibcMallopt.Perturb:
                _perturb = (byte)value;
                return 1;
            case GlibcMallopt.ArenaTest:
                if (value > 0)
                {
                    _arenaTest = value;
                }

                return 1;
            case GlibcMallopt.ArenaMax:
                if (value > 0)
                {
                    _arenaMax = value;
                }

                return 1;
            default:
                return 1;
        }
    }
}
