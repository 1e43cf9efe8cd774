package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.protocol.Reply;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One session in an {@link EmbeddedChannel}, without sockets and without a started server: a
 * transcript goes in, the reply codes come out. Handler methods run at once on the test thread,
 * so the handler must answer without waiting for the event loop.
 */
final class SessionHarness implements AutoCloseable {

  final EmbeddedChannel channel;
  final SmtpSession session;
  private boolean draining;

  SessionHarness(SmtpServer.Builder builder) {
    SmtpServer server = builder.build(); // configured, never started
    Limits limits = server.config().limits();
    SmtpServerDecoder decoder =
        new SmtpServerDecoder(limits.maxLineLength(), false, limits.bodyBufferSize());
    SessionInput input = SessionInput.of(decoder, limits.maxLineLength());
    session = new SmtpSession(new Host(SessionHost.of(server)), input);
    channel = new EmbeddedChannel(false, false);
    channel.pipeline().addLast(ReplyEncoder.INSTANCE, decoder, session);
    try {
      channel.register(); // activates the channel: the session begins
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    channel.freezeTime(); // from here on time passes only through advance()
    channel.runPendingTasks();
  }

  /** Sends {@code text} as it is (CRLFs included) and returns the codes of the replies it caused. */
  List<String> send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    channel.runPendingTasks();
    return replies();
  }

  /** Lets {@code millis} pass on the channel's clock and runs what became due. */
  List<String> advance(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runPendingTasks();
    channel.runScheduledPendingTasks();
    return replies();
  }

  /** The server begins to shut down gracefully. */
  List<String> drain() {
    draining = true;
    session.drain();
    channel.runPendingTasks();
    return replies();
  }

  /** The codes of the replies written since the last call (a multiline reply counts once). */
  List<String> replies() {
    StringBuilder text = new StringBuilder();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) o;
      text.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    List<String> codes = new ArrayList<>();
    for (String line : text.toString().split("\r\n")) {
      if (line.length() >= 4 && line.charAt(3) == ' ') {
        codes.add(line.substring(0, 3));
      }
    }
    return codes;
  }

  Phase phase() {
    return session.phase();
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }

  /** The server's own answers, except that it serves and runs handler methods on the caller. */
  private final class Host implements SessionHost {
    private final SessionHost server;

    Host(SessionHost server) {
      this.server = server;
    }

    @Override
    public ServerConfig config() {
      return server.config();
    }

    @Override
    public HandlerOverrides overrides() {
      return server.overrides();
    }

    @Override
    public Reply greetingReply() {
      return server.greetingReply();
    }

    @Override
    public Reply heloReply() {
      return server.heloReply();
    }

    @Override
    public Reply ehloReply(boolean tls) {
      return server.ehloReply(tls);
    }

    @Override
    public @Nullable SaslMechanism mechanism(String name) {
      return server.mechanism(name);
    }

    @Override
    public boolean authEnabled() {
      return server.authEnabled();
    }

    @Override
    public SslHandler newSslHandler(Channel ch, boolean startTls) {
      return server.newSslHandler(ch, startTls);
    }

    @Override
    public boolean acceptsSessions() {
      return !draining;
    }

    @Override
    public Executor executor() {
      return Runnable::run;
    }

    @Override
    public WarningLimiter warnings() {
      return server.warnings();
    }

    @Override
    public AddressFailures authFailures() {
      return server.authFailures();
    }

    @Override
    public String nextSessionId() {
      return server.nextSessionId();
    }

    @Override
    public boolean acquire(@Nullable InetAddress ip) {
      return true;
    }

    @Override
    public void release(@Nullable InetAddress ip) {}
  }
}
