// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

/// <summary>The simulated thread id is per host thread, scoped, and 0 for a thread that never entered one.</summary>
public sealed class SimulatedThreadTests
{
    [Fact]
    public void Enter_IsPerHostThread_AndScoped()
    {
        int seenByOther = -1;
        using (SimulatedThread.Enter(5))
        {
            Assert.Equal(5, SimulatedThread.CurrentId);
            var other = new Thread(() => seenByOther = SimulatedThread.CurrentId);
            other.Start();
            other.Join();
            using (SimulatedThread.Enter(0))
            {
                Assert.Equal(0, SimulatedThread.CurrentId);
            }

            Assert.Equal(5, SimulatedThread.CurrentId);
        }

        Assert.Equal(0, seenByOther);
        Assert.Equal(0, SimulatedThread.CurrentId);
    }

    [Fact]
    public void Set_SwitchesWithoutScope()
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SimulatedThread.Set(3);
                Assert.Equal(3, SimulatedThread.CurrentId);
                SimulatedThread.Set(0);
                Assert.Equal(0, SimulatedThread.CurrentId);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }
}
