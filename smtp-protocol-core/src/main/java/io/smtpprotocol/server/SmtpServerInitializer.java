package io.smtpprotocol.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.smtpprotocol.tls.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up each accepted connection: TLS (implicit TLS only; STARTTLS adds it later, first in the
 * pipeline), reply encoder, input decoder, session. Behind a proxy ({@link ProxyProtocol}) the
 * connection reads the PROXY header first and is set up when it has arrived.
 */
final class SmtpServerInitializer extends ChannelInitializer<Channel> {

  private static final Logger log = LoggerFactory.getLogger(SmtpServerInitializer.class);

  private final SmtpServer server;

  SmtpServerInitializer(SmtpServer server) {
    this.server = server;
  }

  @Override
  protected void initChannel(Channel ch) {
    server.register(ch);
    ProxyProtocol proxy = server.proxyProtocol();
    if (proxy != null) {
      proxy.expectHeader(ch, this::initSession);
    } else {
      initSession(ch);
    }
  }

  private void initSession(Channel ch) {
    ServerConfig config = server.config();
    Limits limits = config.limits();
    SmtpServerDecoder decoder =
        new SmtpServerDecoder(
            limits.maxLineLength(), config.lenientLineEndings(), limits.bodyBufferSize());
    if (server.authEnabled()) {
      decoder.maxAuthLineLength(AuthStep.MAX_AUTH_LINE);
    }
    if (config.tls().mode() == TlsMode.IMPLICIT) {
      try {
        ch.pipeline().addLast("tls", server.newSslHandler(ch, false));
      } catch (RuntimeException e) {
        log.warn("SMTP server {} cannot start TLS: {}", config.domain(), e.toString());
        server.parts().observer().tlsHandshake(false);
        ch.close();
        return;
      }
    }
    ch.pipeline()
        .addLast("replies", ReplyEncoder.INSTANCE)
        .addLast("decoder", decoder)
        .addLast(
            "session",
            new SmtpSession(
                SessionHost.of(server), SessionInput.of(decoder, limits.maxLineLength())));
  }
}
