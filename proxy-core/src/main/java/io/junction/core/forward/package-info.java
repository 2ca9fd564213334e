/**
 * Forwarding infrastructure shared by TCP and UDP: transport choice, event loops and the listener contract.
 */
package io.junction.core.forward;
