package io.smtpprotocol.server;

import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.tls.TlsSettings;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A server's settings, as the builder made them: what the server is and offers, for an application
 * or a health check to read. The application's own objects (handler, executor, observer) are not
 * part of it.
 *
 * @param domain the name in the greeting and EHLO reply
 * @param greeting the text after the domain in the greeting
 * @param address the bind address, or null for all
 * @param port the TCP port, 0 for any free one
 * @param unixSocket a Unix domain socket path instead of TCP, or null
 * @param limits the bounds
 * @param handlerThreads size of the server's own handler pool
 * @param ioThreads event loop threads, 0 for Netty's default
 * @param transport NIO or epoll
 * @param backlog the listen backlog
 * @param lenientLineEndings whether bare CR/LF are let through as data
 * @param acceptedDomains the recipient domains the engine accepts, lower case; empty for all
 * @param chunking whether CHUNKING is offered
 * @param smtpUtf8 whether SMTPUTF8 is offered
 * @param eightBitMime whether 8BITMIME is offered
 * @param pipelining whether PIPELINING is offered
 * @param requireTls whether REQUIRETLS (RFC 8689) is offered, on TLS sessions only
 * @param dsn whether DSN (RFC 3461) is offered: its MAIL and RCPT parameters are accepted
 * @param lmtp whether the server speaks LMTP (RFC 2033) instead of SMTP
 * @param xclientClients the peers allowed to send XCLIENT (IP addresses, CIDR blocks, {@code
 *     unix}); empty when XCLIENT is off
 * @param tls TLS mode, SSL context and whether TLS is required
 * @param auth the authenticator, SASL mechanisms and AUTH policy
 */
public record ServerConfig(
    String domain,
    String greeting,
    @Nullable InetAddress address,
    int port,
    @Nullable Path unixSocket,
    Limits limits,
    int handlerThreads,
    int ioThreads,
    Transport transport,
    int backlog,
    boolean lenientLineEndings,
    Set<String> acceptedDomains,
    boolean chunking,
    boolean smtpUtf8,
    boolean eightBitMime,
    boolean pipelining,
    boolean requireTls,
    boolean dsn,
    boolean lmtp,
    List<String> xclientClients,
    TlsSettings tls,
    AuthSettings auth) {}
