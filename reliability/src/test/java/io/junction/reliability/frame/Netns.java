package io.junction.reliability.frame;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace the suite creates and deletes. Addresses and nftables rules made in it exist only there, so a
 * scenario's faults never touch the host's network. Modelled on proxy-agent's node-mode TestNamespace (package-private
 * test code in another module).
 */
public final class Netns implements AutoCloseable {
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** A new namespace with {@code lo} up; the caller must have checked {@link Commands#assumeRootWithNetworkTools}. */
    public static Netns create(String prefix) throws IOException, InterruptedException {
        String name = prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        Commands.check("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs {@code cmd} inside the namespace; its output, or an exception naming the command. */
    public String exec(String... cmd) throws IOException, InterruptedException {
        return Commands.check(inside(List.of(cmd)).toArray(String[]::new));
    }

    /** The command line that runs {@code cmd} inside the namespace (ip netns exec keeps the process id). */
    public List<String> inside(List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(cmd);
        return full;
    }

    /**
     * Joins this namespace and {@code peer} with a veth pair: {@code localCidr} here, {@code peerCidr} there (e.g.
     * 10.77.0.1/24 and 10.77.0.2/24), both up.
     */
    public void link(Netns peer, String localCidr, String peerCidr) throws IOException, InterruptedException {
        String local = "v" + name.substring(Math.max(0, name.length() - 6));
        String remote = "v" + peer.name.substring(Math.max(0, peer.name.length() - 6));
        exec("ip", "link", "add", local, "type", "veth", "peer", "name", remote, "netns", peer.name);
        exec("ip", "addr", "add", localCidr, "dev", local);
        exec("ip", "link", "set", local, "up");
        peer.exec("ip", "addr", "add", peerCidr, "dev", remote);
        peer.exec("ip", "link", "set", remote, "up");
    }

    /** Loads an nftables ruleset (nft -f) inside the namespace. */
    public void nft(String ruleset) throws IOException, InterruptedException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("reliability-", ".nft");
        try {
            java.nio.file.Files.writeString(f, ruleset);
            exec("nft", "-f", f.toString());
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    /** Deletes the namespace (its veth ends go with it); processes started in it must be stopped first. */
    @Override
    public void close() throws IOException {
        try {
            Commands.run(List.of("ip", "netns", "delete", name));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting namespace " + name, e);
        }
    }
}
