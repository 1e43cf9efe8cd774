package io.smtpprotocol.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.smtpprotocol.codec.ReplyEncoder;
import io.smtpprotocol.codec.SmtpServerDecoder;
import java.util.concurrent.TimeUnit;

/** Sets up each accepted connection: idle timer, reply encoder, input decoder, session. */
final class SmtpServerInitializer extends ChannelInitializer<Channel> {

  private final SmtpServer server;

  SmtpServerInitializer(SmtpServer server) {
    this.server = server;
  }

  @Override
  protected void initChannel(Channel ch) {
    ServerConfig config = server.config();
    Limits limits = config.limits();
    server.register(ch);
    SmtpServerDecoder decoder =
        new SmtpServerDecoder(
            limits.maxLineLength(), config.lenientLineEndings(), limits.bodyBufferSize());
    ch.pipeline()
        .addLast(
            "idle",
            new IdleStateHandler(limits.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast("replies", ReplyEncoder.INSTANCE)
        .addLast("decoder", decoder)
        .addLast("session", new SmtpSession(server, decoder));
  }
}
