package io.junction.agent.node;

import io.junction.agent.config.NodeModeConfig;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ProxyController;
import io.junction.core.state.ProxySnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Node mode wired to the control plane: the {@link NodeListenResolver} decides the listen addresses, and every
 * published snapshot asks the {@link NftProgrammer} to look at the rules, which it builds on its own thread from the
 * snapshot's services (their specs carry the virtual addresses) and the listeners' bound ports
 * ({@link ProxyController#boundAddresses}, a volatile read). A service gets rules only once its listener is bound, so no packet is redirected to a port
 * nobody listens on.
 *
 * <p>Thread-safe: {@link #onSnapshot} runs on the control thread, {@link #desired()} on the programmer's.
 */
public final class NodeMode implements AutoCloseable {
    private static final long NFT_TIMEOUT_SECONDS = 10;

    private final ProxyController controller;
    private final NodeListenResolver resolver;
    private final NftProgrammer programmer;

    NodeMode(NodeModeConfig config, ProxyController controller, NftRunner runner, Duration debounce) {
        this.controller = Objects.requireNonNull(controller, "controller");
        this.resolver = new NodeListenResolver(config);
        this.programmer = new NftProgrammer(this::desired, runner, debounce);
    }

    /**
     * Node mode for {@code controller}, running {@code nft} from the PATH: sets its listen resolver and snapshot
     * listener (call before the controller starts) and reconciles the table at once.
     */
    public static NodeMode install(NodeModeConfig config, ProxyController controller, MeterRegistry registry) {
        NodeMode node = new NodeMode(config, controller, NftRunner.command("nft", NFT_TIMEOUT_SECONDS),
                NftProgrammer.DEFAULT_DEBOUNCE);
        node.bindMetrics(registry);
        node.install();
        return node;
    }

    void install() {
        controller.listenResolver(resolver);
        controller.addSnapshotListener(this::onSnapshot);
        programmer.start();
    }

    private void bindMetrics(MeterRegistry registry) {
        Gauge.builder("junction.node.nft.rules", programmer, NftProgrammer::rules)
                .description("Redirect rules in the inet junction table as last applied").register(registry);
        FunctionCounter.builder("junction.node.nft.applies", programmer, NftProgrammer::applies)
                .description("Rule sets nft applied").register(registry);
        FunctionCounter.builder("junction.node.nft.failures", programmer, NftProgrammer::failures)
                .description("Rule sets nft refused (retried every 5 s)").register(registry);
    }

    /** Control thread, after each published snapshot: only a wake-up; the rules are built on the nft thread. */
    void onSnapshot(ProxySnapshot snapshot) {
        programmer.request();
    }

    /**
     * The rules wanted now: every virtual address (from the service's spec) of every served service whose listener
     * is bound. Reads the latest snapshot and the bound addresses, two volatile reads of immutable values.
     */
    Set<Redirect> desired() {
        Map<ServiceKey, InetSocketAddress> bound = controller.boundAddresses();
        Set<Redirect> out = new HashSet<>();
        controller.snapshot().services().forEach((key, service) -> {
            InetSocketAddress local = bound.get(key);
            if (local != null) {
                for (InetSocketAddress v : service.spec().virtualAddresses()) {
                    out.add(new Redirect(v, key.protocol(), local.getPort(), key));
                }
            }
        });
        return out;
    }

    NftProgrammer programmer() {
        return programmer;
    }

    /** For {@code /api/status}: the table, its rule count, and the last nft error if the last attempt failed. */
    public Map<String, Object> status() {
        return programmer.status();
    }

    /** Removes the table. */
    @Override
    public void close() {
        programmer.close();
    }
}
