package io.junction.bench.cli;

import picocli.CommandLine.Command;

/**
 * Top-level command; only groups the sub-commands. Immutable.
 */
@Command(name = "junction-bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Load harness for Junction: measures direct (backend only), Junction, HAProxy, nginx and any host:port"
                + " target interleaved in one run, on 127.0.0.1 only, with built-in backends.",
            "",
            "  junction-bench tcp-rr --quick",
            "  junction-bench tcp-stream --targets direct,haproxy --direction both",
            "  junction-bench tcp-bcf --flavor raw       (connections the backend closes first)",
            "  junction-bench all --quick                (every mode, under two minutes)",
            "  junction-bench backend echo --port 18081  (a backend on its own)",
            "  junction-bench idle-footprint             (memory per idle proxied connection)",
            "  junction-bench startup --cds both         (java to listening, with and without AppCDS)",
            "  junction-bench jmh [JMH options]          (JMH; jmh -h for its help)"},
        subcommands = {TcpStreamCommand.class, TcpRrCommand.class, TcpCrrCommand.class, TcpBcfCommand.class,
            UdpStreamCommand.class,
            UdpRrCommand.class, AllCommand.class, BackendCommand.class, IdleFootprintCommand.class,
            StartupCommand.class},
        footer = {"", "Results go to results/<timestamp>/ (Markdown, JSON, .hgrm, PNG). See benchmarks/README.md."})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
