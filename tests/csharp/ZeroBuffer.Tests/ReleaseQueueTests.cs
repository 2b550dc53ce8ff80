using Xunit;
using ZeroBuffer.Internal;

namespace ZeroBuffer.Tests;

public class ReleaseQueueTests
{
    [Fact]
    public void With_nothing_held_refunds_are_immediate_for_the_caller()
    {
        var queue = new ReleaseQueue();
        Assert.True(queue.IsEmpty);
        queue.AddFrame(0, 100);
        Assert.False(queue.IsEmpty);
        Assert.Equal(100, queue.Release(0));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Bytes_come_back_in_ring_order_including_deferred_refunds()
    {
        var queue = new ReleaseQueue();
        queue.AddFrame(0, 100);
        queue.AddRefund(10);
        queue.AddFrame(1, 200);
        queue.AddFrame(2, 300);
        Assert.Equal(0, queue.Release(2));
        Assert.Equal(0, queue.Release(1));
        Assert.Equal(1, queue.HeldFrames);
        Assert.Equal(610, queue.Release(0));
        Assert.Equal(0, queue.HeldFrames);
    }

    [Fact]
    public void Releasing_twice_or_an_unknown_ticket_returns_nothing()
    {
        var queue = new ReleaseQueue();
        queue.AddFrame(0, 100);
        queue.AddFrame(1, 100);
        Assert.Equal(0, queue.Release(1));
        Assert.Equal(0, queue.Release(1));
        Assert.Equal(0, queue.Release(7));
        Assert.Equal(200, queue.Release(0));
        Assert.Equal(0, queue.Release(0));
    }

    [Fact]
    public void The_queue_grows_past_its_initial_capacity_keeping_order()
    {
        var queue = new ReleaseQueue();
        for (long ticket = 0; ticket < 100; ticket++)
        {
            queue.AddFrame(ticket, 1);
        }

        for (long ticket = 99; ticket >= 1; ticket--)
        {
            Assert.Equal(0, queue.Release(ticket));
        }

        Assert.Equal(100, queue.Release(0));
    }
}
