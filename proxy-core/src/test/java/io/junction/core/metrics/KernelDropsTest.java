package io.junction.core.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class KernelDropsTest {

    @Test
    void aDetachedListenersCountIsKeptSoTheTotalNeverGoesBack() {
        KernelDrops drops = new KernelDrops();
        AtomicLong first = new AtomicLong();
        AtomicLong second = new AtomicLong();
        LongSupplier a = first::get;
        LongSupplier b = second::get;
        drops.attach(a);
        first.set(5);
        assertThat(drops.total()).isEqualTo(5);
        // A rebind: the new listener is bound before the old one closes.
        drops.attach(b);
        second.set(2);
        assertThat(drops.total()).isEqualTo(7);
        drops.detach(a);
        first.set(0);
        assertThat(drops.total()).as("the closed listener's 5 kept").isEqualTo(7);
        drops.detach(a);
        assertThat(drops.total()).as("detach is idempotent").isEqualTo(7);
        drops.detach(b);
        assertThat(drops.total()).isEqualTo(7);
    }
}
