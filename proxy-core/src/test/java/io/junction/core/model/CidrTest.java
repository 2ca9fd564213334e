package io.junction.core.model;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Address blocks as PROXY protocol's trustedCidrs checks them: IPv4 by int, IPv6, IPv4-mapped IPv6, /0 and /32. */
class CidrTest {
    @Test
    void ipv4BlocksMatchByPrefix() throws Exception {
        Cidr ten = Cidr.parse("10.1.2.3/8");
        assertThat(ten).hasToString("10.0.0.0/8");
        assertThat(ten.contains(ip("10.255.0.1"))).isTrue();
        assertThat(ten.contains(ip("11.0.0.1"))).isFalse();
        assertThat(ten.contains(ip("::1"))).isFalse();
        assertThat(Cidr.parse("192.168.1.7").contains(ip("192.168.1.7"))).isTrue();
        assertThat(Cidr.parse("192.168.1.7").contains(ip("192.168.1.6"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("255.255.255.255"))).isTrue();
        assertThat(Cidr.parse("128.0.0.0/1").contains(ip("200.1.1.1"))).isTrue();
        assertThat(Cidr.parse("128.0.0.0/1").contains(ip("127.1.1.1"))).isFalse();
    }

    @Test
    void ipv6BlocksMatchByPrefixAndIpv4MappedPeersMatchTheirIpv4Block() throws Exception {
        assertThat(Cidr.parse("fd00::/8").contains(ip("fd12::5"))).isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(ip("fe80::1"))).isFalse();
        assertThat(Cidr.parse("fd00::/8").contains(ip("10.0.0.1"))).isFalse();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 9;
        // The JDK turns a mapped address into an Inet4Address; an Inet6Address built with a scope stays IPv6.
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(Cidr.parse("10.0.0.0/8").contains(v6)).isTrue();
        assertThat(Cidr.parse("11.0.0.0/8").contains(v6)).isFalse();
    }

    @Test
    void badBlocksSayWhy() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessageContaining("not an IP address");
    }

    @Test
    void acceptSettingsTrustOnlyTheirBlocksAndBoundTheTimeout() throws Exception {
        ProxyProtocolAccept accept = new ProxyProtocolAccept(List.of(Cidr.parse("10.0.0.0/8"),
                Cidr.parse("fd00::/8")), Duration.ofSeconds(3));
        assertThat(accept.enabled()).isTrue();
        assertThat(accept.trusts(ip("10.9.9.9"))).isTrue();
        assertThat(accept.trusts(ip("fd00::9"))).isTrue();
        assertThat(accept.trusts(ip("127.0.0.1"))).isFalse();
        assertThat(ProxyProtocolAccept.OFF.enabled()).isFalse();
        assertThatThrownBy(() -> new ProxyProtocolAccept(List.of(), Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> new ProxyProtocolAccept(List.of(), Duration.ofHours(1)))
                .hasMessageContaining("timeout");
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
