/** The Junction agent: CLI entry point and the start/stop order of its parts. */
package io.junction.agent;
