package io.junction.bench.targets;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExternalTargetTest {
    @Test
    void parsesNameHostPort() throws Exception {
        ExternalTarget t = ExternalTarget.parse("envoy=127.0.0.1:10000");
        assertThat(t.name()).isEqualTo("envoy");
        InetSocketAddress a = t.start(null);
        assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(a.getPort()).isEqualTo(10000);
        assertThat(t.pid()).isEmpty();
        assertThat(t.launchMillis()).isEqualTo(-1);
    }

    @Test
    void aPidAfterTheAddressIsSampled() throws Exception {
        long self = ProcessHandle.current().pid();
        ExternalTarget t = ExternalTarget.parse("j0=127.0.0.1:18090@" + self);
        assertThat(t.start(null).getPort()).isEqualTo(18090);
        assertThat(t.pid()).hasValue(self);
    }

    @Test
    void rejectsMalformedSpecsAndNonLoopbackAddresses() {
        assertThatThrownBy(() -> ExternalTarget.parse("127.0.0.1:10000")).hasMessageContaining("name=host:port");
        assertThatThrownBy(() -> ExternalTarget.parse("x=127.0.0.1:80@me")).hasMessageContaining("numeric pid");
        assertThatThrownBy(() -> ExternalTarget.parse("x=127.0.0.1:80@0")).hasMessageContaining("running process");
        assertThatThrownBy(() -> ExternalTarget.parse("x=127.0.0.1@1")).hasMessageContaining("name=host:port");
        assertThatThrownBy(() -> ExternalTarget.parse("x=127.0.0.1:")).hasMessageContaining("name=host:port");
        assertThatThrownBy(() -> ExternalTarget.parse("x=127.0.0.1:http")).hasMessageContaining("numeric port");
        assertThatThrownBy(() -> ExternalTarget.parse("x=127.0.0.1:70000")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> ExternalTarget.parse("x=10.1.2.3:80")).hasMessageContaining("loopback");
    }
}
