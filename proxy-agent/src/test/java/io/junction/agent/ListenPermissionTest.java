package io.junction.agent;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up refusal for a listener the kernel refused with EACCES. The reasons are the texts the listener binder
 * keeps; the first is what an unprivileged agent logged for {@code listen: 127.0.0.1:80} (Netty's native epoll
 * transport). Reliability scenario 24 checks the same line from a real agent run as {@code nobody}.
 */
class ListenPermissionTest {
    private static final ServiceKey LOW = new ServiceKey("default", "low", "", Protocol.TCP);
    private static final ServiceKey BUSY = new ServiceKey("default", "busy", "", Protocol.TCP);
    private static final String EPOLL_EACCES = "cannot bind 127.0.0.1:80: bind /127.0.0.1:80 failed for service "
            + "default/low/tcp: bind(..) failed with error(-13): Permission denied";

    @Test
    void aPrivilegedPortRefusedForPermissionNamesTheAddressTheServiceAndBothWaysOut() {
        Map<ServiceKey, String> errors = new LinkedHashMap<>();
        errors.put(BUSY, "cannot bind 127.0.0.1:8080: bind(..) failed with error(-98): Address already in use");
        errors.put(LOW, EPOLL_EACCES);

        String line = ListenPermission.refusal(errors, key -> new InetSocketAddress("127.0.0.1",
                key.equals(LOW) ? 80 : 8080), 1024).orElseThrow();

        assertThat(line).isEqualTo("cannot listen on 127.0.0.1:80 (service default/low/tcp): permission denied: "
                + "ports below 1024 (net.ipv4.ip_unprivileged_port_start) need CAP_NET_BIND_SERVICE; grant it "
                + "(systemd AmbientCapabilities=CAP_NET_BIND_SERVICE, or setcap on the java binary) or listen on a "
                + "port >= 1024");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void otherBindFailuresAreNotAPermissionProblemAndStayRetried() {
        Map<ServiceKey, String> errors = Map.of(BUSY,
                "cannot bind 127.0.0.1:8080: bind(..) failed with error(-98): Address already in use",
                LOW, "cannot bind 10.9.9.9:80: bind(..) failed with error(-99): Cannot assign requested address");

        assertThat(ListenPermission.refusal(errors, key -> new InetSocketAddress(80), 1024)).isEmpty();
    }

    @Test
    void theJdkTransportsTextCountsToo() {
        // The NIO fallback transport (no native epoll) reports java.net.BindException: Permission denied.
        assertThat(ListenPermission.isPermissionDenied("cannot bind [::1]:443: java.net.BindException: "
                + "Permission denied")).isTrue();
        assertThat(ListenPermission.isPermissionDenied(null)).isFalse();
    }

    @Test
    void aPortAboveTheUnprivilegedStartIsBlamedOnAPolicyNotOnTheCapability() {
        String line = ListenPermission.explain("admin server", new InetSocketAddress("127.0.0.1", 9901), 1024);

        assertThat(line).startsWith("cannot listen on 127.0.0.1:9901 (admin server): permission denied, though 9901 "
                + "is not a privileged port here (net.ipv4.ip_unprivileged_port_start is 1024)")
                .doesNotContain("CAP_NET_BIND_SERVICE");
    }

    @Test
    void theSysctlIsReadWhole() throws Exception {
        // Files.readString read "1" of "1024" here: a sysctl file answers only a read at offset 0.
        Path sysctl = ListenPermission.UNPRIVILEGED_PORT_START;
        Assumptions.assumeTrue(Files.isReadable(sysctl), "no " + sysctl + " on this system");
        String text;
        try (BufferedReader r = Files.newBufferedReader(sysctl)) {
            text = r.readLine().strip();
        }
        assertThat(ListenPermission.unprivilegedPortStart()).isEqualTo(Integer.parseInt(text));
    }

    @Test
    void aMissingOrGarbledSysctlMeansTheKernelDefault(@TempDir Path dir) throws Exception {
        assertThat(ListenPermission.unprivilegedPortStart(dir.resolve("absent"))).isEqualTo(1024);
        assertThat(ListenPermission.unprivilegedPortStart(Files.writeString(dir.resolve("junk"), "x\n")))
                .isEqualTo(1024);
        assertThat(ListenPermission.unprivilegedPortStart(Files.writeString(dir.resolve("zero"), "0\n"))).isZero();
    }
}
