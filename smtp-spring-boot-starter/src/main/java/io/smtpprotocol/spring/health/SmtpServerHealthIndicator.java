package io.smtpprotocol.spring.health;

import io.smtpprotocol.server.ServerConfig;
import io.smtpprotocol.server.SmtpServer;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of an {@link SmtpServer}: UP while it accepts connections, with its port, TLS mode and
 * active sessions; DOWN before it starts, while it drains and once it stopped.
 */
public class SmtpServerHealthIndicator extends AbstractHealthIndicator {

  private final Supplier<@Nullable SmtpServer> server;

  /**
   * @param server supplies the server, or {@code null} while there is none
   */
  public SmtpServerHealthIndicator(Supplier<@Nullable SmtpServer> server) {
    super("SMTP server health check failed");
    this.server = Objects.requireNonNull(server, "server");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    SmtpServer s = server.get();
    if (s == null) {
      builder.down().withDetail("state", "absent");
      return;
    }
    if (s.isRunning()) {
      builder.up().withDetail("state", "running");
    } else if (s.isDraining()) {
      builder.down().withDetail("state", "draining");
    } else if (s.terminationFuture().isDone()) {
      builder.down().withDetail("state", "stopped");
    } else {
      builder.down().withDetail("state", "not started");
    }
    ServerConfig config = s.config();
    if (config.unixSocket() != null) {
      builder.withDetail("unixSocket", config.unixSocket().toString());
    } else if (s.isRunning() || s.isDraining()) {
      builder.withDetail("port", s.port());
    }
    builder.withDetail("tls", tlsMode(config)).withDetail("activeSessions", s.activeSessions());
  }

  private static String tlsMode(ServerConfig config) {
    return config.tls().mode().name().toLowerCase(Locale.ROOT);
  }
}
