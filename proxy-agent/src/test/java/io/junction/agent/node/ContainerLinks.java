package io.junction.agent.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Wires test namespaces the way container runtimes do: a Linux bridge with a veth per container, a VXLAN device,
 * macvlan children of a host interface. Every link is created inside a namespace the test made, never in the test's
 * own. Container-side interfaces are named {@code eth0}, as a runtime names them. Test-only; stateless.
 */
final class ContainerLinks {
    private ContainerLinks() {
    }

    /** A short random tag for interface names: names are unique per run, and at most 15 characters. */
    static String tag() {
        return String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /**
     * Skips the calling test, with the kernel's own words, unless a link of {@code type} can be made: created and
     * deleted in a scratch namespace, which also holds a veth pair {@code p0}/{@code p1} to be a parent or lower
     * device. {@code args} follow {@code ip link add probe} and name the type themselves.
     */
    static void assumeKernelSupports(String type, String... args) throws Exception {
        String scratch = RootNetworkState.PREFIX + "-probe-" + tag();
        TestNamespace.onHost("ip", "netns", "add", scratch);
        try {
            TestNamespace.runOnHost("ip", "-n", scratch, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
            List<String> cmd = new ArrayList<>(List.of("ip", "-n", scratch, "link", "add", "probe"));
            cmd.addAll(List.of(args));
            TestNamespace.Result r = TestNamespace.runOnHost(cmd.toArray(String[]::new));
            assumeThat(r.code()).as("the kernel cannot make a %s link (%s: %s); skipped", type,
                    String.join(" ", cmd), r.out().strip()).isZero();
        } finally {
            TestNamespace.onHost("ip", "netns", "delete", scratch);
        }
    }

    /** A bridge {@code name} in {@code host}, up, with {@code mtu}. */
    static void bridge(TestNamespace host, String name, int mtu) throws Exception {
        host.exec("ip", "link", "add", name, "type", "bridge");
        host.exec("ip", "link", "set", name, "mtu", Integer.toString(mtu), "up");
    }

    /**
     * A veth pair from {@code container} (its {@code eth0}, with {@code cidr}) to {@code bridge} in {@code host}
     * (end {@code hostEnd}), both ends up with {@code mtu}.
     */
    static void plug(TestNamespace host, String bridge, String hostEnd, TestNamespace container, String cidr, int mtu)
            throws Exception {
        host.exec("ip", "link", "add", hostEnd, "mtu", Integer.toString(mtu), "type", "veth", "peer", "name", "eth0",
                "mtu", Integer.toString(mtu), "netns", container.name());
        host.exec("ip", "link", "set", hostEnd, "master", bridge, "up");
        up(container, "eth0", cidr);
    }

    /**
     * A macvlan child in bridge mode of {@code parent} (in {@code host}), moved into {@code container} as its
     * {@code eth0} with {@code cidr}, as Docker's macvlan driver makes one.
     */
    static void macvlanChild(TestNamespace host, String parent, TestNamespace container, String cidr)
            throws Exception {
        host.exec("ip", "link", "add", "name", "eth0", "link", parent, "netns", container.name(), "type", "macvlan",
                "mode", "bridge");
        up(container, "eth0", cidr);
    }

    /** Gives {@code link} in {@code ns} the address {@code cidr} and brings it up. */
    static void up(TestNamespace ns, String link, String cidr) throws Exception {
        ns.exec("ip", "addr", "add", cidr, "dev", link);
        ns.exec("ip", "link", "set", link, "up");
    }

    /** The MTU of {@code link} in {@code ns}, as the kernel reports it. */
    static int mtu(TestNamespace ns, String link) throws Exception {
        String[] words = ns.exec("ip", "-o", "link", "show", "dev", link).split("\\s+");
        for (int i = 0; i < words.length - 1; i++) {
            if (words[i].equals("mtu")) {
                return Integer.parseInt(words[i + 1]);
            }
        }
        throw new IllegalStateException("no mtu in ip link show dev " + link);
    }
}
