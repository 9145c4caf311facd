// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Properties;

/// <summary>One generated step of a random system-call and access sequence over the model window.</summary>
public sealed record OsOperation(OsOperationKind Kind, int Page, int Count, int NewCount, Protection Protection, ulong Value)
{
    public override string ToString() => $"{Kind}(page {Page}, count {Count}, new {NewCount}, {Protection}, {Value:x})";
}
