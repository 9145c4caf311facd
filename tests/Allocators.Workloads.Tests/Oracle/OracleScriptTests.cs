// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Workloads.Tests.Oracle;

public sealed class OracleScriptTests
{
    [Fact]
    public void Parse_EveryOperation_RoundTripsThroughText()
    {
        const string Text = """
            # a comment line
            malloc 24
            calloc 3 0x10   # trailing comment
            realloc 0 100
            realloc null 5
            memalign 64 100
            aligned_alloc 32 7
            posix_memalign 16 9
            valloc 5000
            pvalloc 0
            free 2
            free null
            free 1+16
            usable 3-8
            trim 65536
            mallopt -3 1000000
            mallinfo2
            poke 0-8 8 -255
            xor 0 1 8
            fill 4 16 255
            peek 4+8
            sbrk -4096
            """;

        var script = OracleScript.Parse(Text);
        var again = OracleScript.Parse(script.ToString());

        Assert.Equal(21, script.Operations.Count);
        Assert.Equal(9, script.SlotCount);
        Assert.Equal(script.Operations, again.Operations);
        Assert.Equal(OracleOperation.Free(1, 16), script.Operations[11]);
        Assert.Equal(OracleOperation.UsableSize(3, -8), script.Operations[12]);
        Assert.Equal(OracleOperation.Poke(0, -8, 8, -255), script.Operations[16]);
        Assert.Equal(OracleOperation.Mallopt(-3, 1000000), script.Operations[14]);
    }

    [Theory]
    [InlineData("mallok 3", "line 1", "unknown operation 'mallok'")]
    [InlineData("malloc", "line 1", "takes 1 operand(s), found 0")]
    [InlineData("malloc 1 2", "line 1", "takes 1 operand(s), found 2")]
    [InlineData("malloc -1", "line 1", "is not a number")]
    [InlineData("malloc 0xZZ", "line 1", "is not a number")]
    [InlineData("malloc 99999999999999999999", "line 1", "is not a number")]
    [InlineData("malloc 1\nfree 1", "line 2", "slot 1 is not defined yet")]
    [InlineData("free x", "line 1", "is not a slot")]
    [InlineData("malloc 1\npoke null 8 0", "line 2", "null pointer")]
    [InlineData("malloc 1\npoke 0 3 0", "line 2", "width '3' must be 1, 2, 4 or 8")]
    [InlineData("malloc 1\nfill 0 3 256", "line 2", "fill byte '256'")]
    [InlineData("mallopt 1 4294967296", "line 1", "out of the int range")]
    public void Parse_MalformedLine_ThrowsWithLineNumberAndText(string text, string line, string problem)
    {
        var ex = Assert.Throws<FormatException>(() => OracleScript.Parse(text));

        Assert.Contains(line, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void Constructor_ForwardSlotReference_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new OracleScript([OracleOperation.Free(0)]));

        Assert.Contains("uses slot 0", ex.Message);
    }

    [Fact]
    public void Factories_NullPointerWithDelta_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OracleOperation.Free(-1, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => OracleOperation.Poke(0, 0, 3, 0));
    }

    [Property(MaxTest = 300)]
    [Trait("Category", "Property")]
    public Property ToString_RandomScript_ParsesBackToTheSameOperations()
    {
        return Prop.ForAll(OracleScriptGenerators.Scripts(new OracleScriptGenerators.Settings()).ToArbitrary(), (OracleScript script) =>
            OracleScript.Parse(script.ToString()).Operations.SequenceEqual(script.Operations));
    }
}
