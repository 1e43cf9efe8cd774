package io.smtpprotocol.spring.autoconfigure;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the auto-configured SMTP server, under {@code smtp.server}.
 *
 * @param enabled Whether to run the SMTP server.
 * @param address Network address the server binds to, for example 127.0.0.1. All addresses when
 *     unset.
 * @param port TCP port the server listens on. 0 picks a free port, published as
 *     'local.smtp.server.port'.
 * @param domain Host name the server announces in its greeting and EHLO reply. The local host
 *     name when unset.
 * @param maxMessageSize Largest message the server accepts, advertised with the SIZE extension.
 * @param maxRecipients Most recipients in one mail transaction. More are refused with 452.
 * @param maxLineLength Longest command line in octets, CRLF included. At least 512.
 * @param maxConnections Most simultaneous connections. More are refused with 421.
 * @param maxConnectionsPerIp Most simultaneous connections from one client address.
 * @param idleTimeout Time without input from the client after which the connection is closed.
 * @param lenientLineEndings Whether bare CR and LF are let through in commands and message data.
 *     Even then only CRLF.CRLF ends a message.
 * @param unixSocket Path of a Unix domain socket to listen on instead of TCP. Needs the native
 *     epoll transport (Linux).
 */
@ConfigurationProperties("smtp.server")
public record SmtpServerProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable InetAddress address,
    @DefaultValue("2525") int port,
    @Nullable String domain,
    @DefaultValue("10MB") DataSize maxMessageSize,
    @DefaultValue("100") int maxRecipients,
    @DefaultValue("1000") int maxLineLength,
    @DefaultValue("1000") int maxConnections,
    @DefaultValue("50") int maxConnectionsPerIp,
    @DefaultValue("5m") Duration idleTimeout,
    @DefaultValue("false") boolean lenientLineEndings,
    @Nullable Path unixSocket) {}
