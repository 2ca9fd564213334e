/**
 * JMH benchmarks that need package access to the TCP relay ({@code TcpConnection} is package-private in
 * proxy-core); only benchmarks live here.
 */
package io.junction.core.forward.tcp;
