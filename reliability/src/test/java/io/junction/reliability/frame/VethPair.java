package io.junction.reliability.frame;

import java.io.IOException;

/**
 * A veth pair between two namespaces the suite made, with names the scenario chooses: {@link Netns#link} names each
 * end after the other namespace, so a namespace can have only one link to a given peer that way, and a scenario that
 * sets a qdisc on an end or takes it down needs to know its name. Names are per namespace, so fixed ones are safe.
 */
public final class VethPair {
    private VethPair() {
    }

    /** {@code nameA} with {@code cidrA} in {@code a}, {@code nameB} with {@code cidrB} in {@code b}, both up. */
    public static void create(Netns a, String nameA, String cidrA, Netns b, String nameB, String cidrB)
            throws IOException, InterruptedException {
        a.exec("ip", "link", "add", nameA, "type", "veth", "peer", "name", nameB, "netns", b.name());
        a.exec("ip", "addr", "add", cidrA, "dev", nameA);
        a.exec("ip", "link", "set", nameA, "up");
        b.exec("ip", "addr", "add", cidrB, "dev", nameB);
        b.exec("ip", "link", "set", nameB, "up");
    }
}
