/**
 * Node mode: the userspace kube-proxy design on nftables. {@link io.junction.agent.node.NodeListenResolver} gives
 * every service with a virtual address a listener on an ephemeral local port, and
 * {@link io.junction.agent.node.NftProgrammer} keeps one nftables table, {@code inet junction}, redirecting each
 * virtual {@code ip:port} to its service's bound port. {@link io.junction.agent.node.NodeMode} wires the two to the
 * control plane. Nothing here runs unless the config's {@code nodeMode.enabled} is true.
 */
package io.junction.agent.node;
