package io.smtpprotocol.client;

import static io.smtpprotocol.client.Stages.complete;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.tls.TlsInfo;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on one connection: STARTTLS (RFC 3207) and the end of every handshake, implicit TLS included.
 * Between the {@code 220} to STARTTLS and the end of the handshake whatever the server sends is
 * dropped, so that no reply can be injected in plaintext (the client side of CVE-2011-0411's
 * family).
 */
final class TlsUpgrade {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  private final Channel channel;
  private final CommandQueue commands;
  private final SessionState state;
  private final ClientTls tls;
  private final ClientConfig config;
  private final String host;
  private final int port;

  // on the event loop only
  private boolean discarding;
  private long discarded;

  TlsUpgrade(
      Channel channel,
      CommandQueue commands,
      SessionState state,
      ClientTls tls,
      ClientConfig config,
      String host,
      int port) {
    this.channel = channel;
    this.commands = commands;
    this.state = state;
    this.tls = tls;
    this.config = config;
    this.host = host;
    this.port = port;
  }

  /** STARTTLS, completing after the handshake and the certificate check. */
  CompletionStage<Reply> startTls() {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    commands.onLoop(
        () -> {
          PendingReply p =
              new PendingReply("STARTTLS", config.commandTimeout()) {
                @Override
                void onReply(Reply reply) {
                  if (reply.code() == 220) {
                    upgrade(this, reply);
                  } else {
                    commands.lowerBarrier();
                    super.onReply(reply);
                  }
                }
              };
          p.future.whenComplete(complete(f));
          commands.whenFreeHold(
              p.future,
              () -> {
                log.debug("C: STARTTLS");
                commands.push(p, "STARTTLS", true);
              });
        });
    return f;
  }

  /** On the loop: the 220 to STARTTLS arrived; everything the server sent after it is dropped. */
  private void upgrade(PendingReply p, Reply reply) {
    discarding = true;
    commands.park(p);
    p.reply = reply;
    ChannelPipeline pipeline = channel.pipeline();
    // the old decoder passes its buffered octets on as a ByteBuf, which the handler drops
    pipeline.remove(SmtpConnection.LINES);
    pipeline.addBefore(
        SmtpConnection.HANDLER, SmtpConnection.LINES, ReplyHandler.lineDecoder(config));
    commands.resetParser();
    pipeline.addFirst(SmtpConnection.TLS, tls.newHandler(channel, host, port));
  }

  /** On the loop: whether these octets arrived before the handshake and are dropped. */
  boolean discards(ByteBuf buf) {
    if (discarding) {
      discarded += buf.readableBytes();
    }
    return discarding;
  }

  /** On the loop: a handshake ended (after STARTTLS, or at the start of implicit TLS). */
  void handshakeDone(SslHandshakeCompletionEvent event) {
    if (!event.isSuccess()) {
      commands.fail(
          new SmtpConnectionException(
              "TLS handshake failed: " + event.cause().getMessage(), event.cause()));
      return;
    }
    TlsInfo info = TlsInfo.of(channel.pipeline().get(SslHandler.class).engine().getSession());
    if (!tls.accepts(host, info)) {
      commands.fail(
          new SmtpConnectionException("the server certificate was rejected by the check"));
      return;
    }
    state.tlsInfo = info;
    state.tls = true;
    if (discarded > 0) {
      log.warn(
          "discarded {} octets {} sent after its STARTTLS reply, before the TLS handshake",
          discarded,
          channel.remoteAddress());
    }
    discarding = false;
    PendingReply p = commands.unpark();
    if (p != null) {
      state.forgetPlaintext();
      p.future.complete(Objects.requireNonNull(p.reply));
      commands.lowerBarrier();
      commands.arm();
    }
  }
}
