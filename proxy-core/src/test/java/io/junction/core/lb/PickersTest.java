package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PickersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "ROUND_ROBIN, RoundRobinPicker",
        "RANDOM, RandomPicker",
        "LEAST_CONNECTIONS, LeastConnectionsPicker",
        "WEIGHTED, WeightedPicker",
        "CLIENT_IP, ClientIpPicker",
        "MAGLEV, MaglevPicker",
        "PEAK_EWMA, PeakEwmaPicker"})
    void eachPolicyBuildsItsPicker(LbPolicy policy, String type) {
        assertThat(Pickers.create(spec(policy), backends(3), null).getClass().getSimpleName()).isEqualTo(type);
    }

    @ParameterizedTest
    @CsvSource({"ROUND_ROBIN", "RANDOM", "LEAST_CONNECTIONS", "WEIGHTED", "MAGLEV", "PEAK_EWMA"})
    void noBackendsGiveTheEmptyPicker(LbPolicy policy) {
        assertThat(Pickers.create(spec(policy), List.of(), null)).isSameAs(Picker.EMPTY);
    }

    @Test
    void clientIpTableIsPassedOnOnlyFromAClientIpPicker() {
        ClientIpPicker first = (ClientIpPicker) Pickers.create(spec(LbPolicy.CLIENT_IP), backends(2), null);
        ClientIpPicker second = (ClientIpPicker) Pickers.create(spec(LbPolicy.CLIENT_IP), backends(2), first);
        assertThat(second.table()).isSameAs(first.table());
        Picker roundRobin = Pickers.create(spec(LbPolicy.ROUND_ROBIN), backends(2), second);
        ClientIpPicker fresh = (ClientIpPicker) Pickers.create(spec(LbPolicy.CLIENT_IP), backends(2), roundRobin);
        assertThat(fresh.table()).isNotSameAs(first.table());
        assertThat(fresh.table().maxEntries()).isEqualTo(AffinityTable.DEFAULT_MAX_ENTRIES);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> Pickers.create(null, backends(1), null)).hasMessage("spec");
        assertThatThrownBy(() -> Pickers.create(spec(LbPolicy.RANDOM), null, null)).hasMessage("eligible");
    }
}
