package io.junction.agent.node;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders node mode's nftables scripts for {@code nft -f -}. The agent owns one table, {@code inet junction}: each
 * script first makes sure the table exists, deletes it and declares it again in full, and nft runs a file as one
 * transaction, so a change (or the reconcile at start, replacing whatever a crashed agent left) is atomic: no packet
 * sees a half-built table. The rules sit in one regular chain, {@code services}, jumped to from the nat hooks
 * {@code prerouting} (traffic from pods and other hosts) and {@code output} (traffic from this host), both at
 * the destination-NAT priority (-100). The text is deterministic: rules sorted (see {@link Redirect}), one per line.
 *
 * <p>Stateless and thread-safe.
 */
public final class NftRuleset {
    /** The table's family and name, as nft writes them. */
    public static final String TABLE = "inet junction";
    private static final int MAX_COMMENT = 128;

    private NftRuleset() {
    }

    /** A script that replaces the table with one holding exactly {@code redirects}. */
    public static String replace(Collection<Redirect> redirects) {
        StringBuilder b = new StringBuilder(128 + redirects.size() * 80);
        b.append("table ").append(TABLE).append(" {}\n");
        b.append("delete table ").append(TABLE).append('\n');
        b.append("table ").append(TABLE).append(" {\n");
        b.append("\tchain services {\n");
        for (Redirect r : sorted(redirects)) {
            b.append("\t\t").append(rule(r)).append('\n');
        }
        b.append("\t}\n");
        // nft names the dstnat priority (-100) only for prerouting; output takes the number.
        for (String[] hook : new String[][] {{"prerouting", "dstnat"}, {"output", "-100"}}) {
            b.append("\tchain ").append(hook[0]).append(" {\n");
            b.append("\t\ttype nat hook ").append(hook[0]).append(" priority ").append(hook[1])
                    .append("; policy accept;\n");
            b.append("\t\tjump services\n");
            b.append("\t}\n");
        }
        b.append("}\n");
        return b.toString();
    }

    /** A script that removes the table, and succeeds whether or not it exists. */
    public static String remove() {
        return "table " + TABLE + " {}\ndelete table " + TABLE + "\n";
    }

    /** One rule, e.g. {@code ip daddr 10.96.0.10 tcp dport 80 redirect to :40123 comment "default/web/tcp"}. */
    static String rule(Redirect r) {
        return (r.isIpv6() ? "ip6" : "ip") + " daddr " + r.addressText() + ' ' + r.protocol().lowerName()
                + " dport " + r.virtualAddress().getPort() + " redirect to :" + r.localPort()
                + " comment \"" + comment(r.service().toString()) + '"';
    }

    /** nft keeps comments up to 128 bytes; service keys are ASCII, so characters are bytes. */
    private static String comment(String text) {
        return text.length() <= MAX_COMMENT ? text : text.substring(0, MAX_COMMENT - 3) + "...";
    }

    private static Set<Redirect> sorted(Collection<Redirect> redirects) {
        return redirects instanceof TreeSet<Redirect> t && t.comparator() == null ? t : new TreeSet<>(redirects);
    }
}
