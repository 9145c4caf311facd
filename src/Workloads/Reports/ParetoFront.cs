// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators.Workloads.Reports;

/// <summary>Which points are Pareto-optimal when every objective is to be minimized.</summary>
public static class ParetoFront
{
    /// <summary>
    /// For each point, whether no other point is at least as good in every objective and strictly better in one.
    /// </summary>
    /// <param name="points">The points; each has the same number of objectives (smaller is better).</param>
    /// <returns>One flag per point.</returns>
    /// <exception cref="ArgumentException">The points have different numbers of objectives.</exception>
    public static bool[] Optimal(IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var optimal = new bool[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            if (points[i].Length != points[0].Length)
            {
                throw new ArgumentException($"point {i} has {points[i].Length} objectives, point 0 has {points[0].Length}", nameof(points));
            }

            optimal[i] = true;
            for (int j = 0; j < points.Count && optimal[i]; j++)
            {
                if (j != i && Dominates(points[j], points[i]))
                {
                    optimal[i] = false;
                }
            }
        }

        return optimal;
    }

    /// <summary>Whether <paramref name="a"/> is no worse than <paramref name="b"/> everywhere and better somewhere.</summary>
    public static bool Dominates(double[] a, double[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        bool better = false;
        for (int k = 0; k < a.Length; k++)
        {
            if (a[k] > b[k])
            {
                return false;
            }

            better |= a[k] < b[k];
        }

        return better;
    }
}
