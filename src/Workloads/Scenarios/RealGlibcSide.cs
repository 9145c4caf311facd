// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Workloads.Oracle;

namespace Allocators.Workloads.Scenarios;

/// <summary>Finds the real glibc side of the scenarios: the oracle program, or why it cannot run here.</summary>
internal static class RealGlibcSide
{
    public static (IScenarioRunner? Runner, string? Reason) Create()
    {
        try
        {
            return GlibcOracle.IsAvailable
                ? (new OracleScenarioRunner(GlibcOracle.Default), null)
                : (null, GlibcOracle.UnavailableReason ?? "the glibc oracle is unavailable");
        }
#pragma warning disable CA1031 // Whatever stops the oracle, the simulation side still runs; the reason is reported.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (null, "the glibc oracle is unavailable: " + ex.Message);
        }
    }
}
