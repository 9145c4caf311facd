// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Allocators.Strategies.Slab;

/// <summary>Formats <see cref="SlabCacheInfo"/> lines the way <c>/proc/slabinfo</c> (version 2.1) prints them.</summary>
public static class SlabInfoFormatter
{
    /// <summary>Formats the header, one line per cache and a waste total.</summary>
    /// <param name="caches">The lines, as <see cref="SlabAllocator.GetSlabInfo"/> returns them.</param>
    /// <returns>The text, lines separated by <c>\n</c>.</returns>
    public static string Format(IEnumerable<SlabCacheInfo> caches)
    {
        ArgumentNullException.ThrowIfNull(caches);
        var sb = new StringBuilder(2048);
        sb.Append("slabinfo - version: 2.1\n");
        sb.Append("# name                <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>")
          .Append(" : slabdata <active_slabs> <num_slabs> : magazines <cached_objs> : waste <rounding> <overhead>\n");
        ulong rounding = 0;
        ulong overhead = 0;
        foreach (SlabCacheInfo c in caches)
        {
            rounding += c.RoundingWasteBytes;
            overhead += c.SlabOverheadBytes;
            sb.Append(CultureInfo.InvariantCulture, $"{c.Name,-21} {c.ActiveObjects,13} {c.TotalObjects,10} {c.ObjectSizeBytes,9} {c.ObjectsPerSlab,12} {c.PagesPerSlab,14}")
              .Append(CultureInfo.InvariantCulture, $" : slabdata {c.ActiveSlabs,14} {c.TotalSlabs,11} : magazines {c.CachedObjects,13} : waste {c.RoundingWasteBytes,10} {c.SlabOverheadBytes,10}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"# waste: {rounding + overhead} bytes (rounding {rounding}, slab overhead {overhead})\n");
        return sb.ToString();
    }
}
