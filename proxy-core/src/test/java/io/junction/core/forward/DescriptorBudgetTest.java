package io.junction.core.forward;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DescriptorBudgetTest {

    @Test
    void capIsWhatIsLeftAfterTheReserveHalved() {
        DescriptorBudget b = DescriptorBudget.forLimit(1024);
        assertThat(b.reserve()).isEqualTo(64 + 128);
        assertThat(b.connectionCap()).isEqualTo((1024 - 192) / 2);
        // 64 + 512 / 8 = 128 would be below the minimum reserve.
        assertThat(DescriptorBudget.forLimit(512).reserve()).isEqualTo(DescriptorBudget.MIN_RESERVE);
        assertThat(DescriptorBudget.forLimit(512).connectionCap()).isEqualTo((512 - 192) / 2);
        assertThat(DescriptorBudget.forLimit(65_536).connectionCap()).isEqualTo((65_536 - 64 - 8192) / 2);
    }

    @Test
    void aLimitBelowTheReserveLeavesNoConnection() {
        DescriptorBudget b = DescriptorBudget.forLimit(150);
        assertThat(b.connectionCap()).isZero();
        assertThat(b.tryAcquire()).isFalse();
        assertThat(b.refusedCount()).isEqualTo(1);
        assertThat(b.connections()).isZero();
    }

    @Test
    void slotsAreTakenUpToTheCapAndReturned() {
        DescriptorBudget b = DescriptorBudget.forLimit(198);
        assertThat(b.connectionCap()).isEqualTo(3);
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isFalse();
        assertThat(b.connections()).isEqualTo(3);
        b.release();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.refusedCount()).isEqualTo(1);
    }

    @Test
    void limitForIsTheSmallestLimitThatFits() {
        for (long c : new long[] {1, 100, 16_384, 1_000_000}) {
            long limit = DescriptorBudget.limitFor(c);
            assertThat(DescriptorBudget.forLimit(limit).fits(c)).as("limit %d for %d", limit, c).isTrue();
            assertThat(DescriptorBudget.forLimit(limit - 1).fits(c)).as("limit %d for %d", limit - 1, c).isFalse();
        }
    }

    @Test
    void thisProcessHasALimit() {
        DescriptorBudget b = DescriptorBudget.ofProcess();
        // Linux JVMs report RLIMIT_NOFILE; the build machine's is far above the reserve.
        assertThat(b.limit()).isLessThan(Long.MAX_VALUE).isGreaterThan(DescriptorBudget.BASE_RESERVE);
        assertThat(b.connectionCap()).isPositive();
    }
}
