package io.smtpprotocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads reply lines (framed by the line decoder before it) into the command queue, lets the message
 * writer go on when the channel drains, and turns what goes wrong on the channel into a failed
 * connection.
 */
final class ReplyHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  private final CommandQueue commands;
  private final TlsUpgrade tls;
  private final MessageWriter writer;
  private final int maxLineLength;

  ReplyHandler(CommandQueue commands, TlsUpgrade tls, MessageWriter writer, ClientConfig config) {
    this.commands = commands;
    this.tls = tls;
    this.writer = writer;
    this.maxLineLength = config.maxReplyLineLength();
  }

  /** The decoder that frames reply lines for this handler. */
  static LineBasedFrameDecoder lineDecoder(ClientConfig config) {
    return new LineBasedFrameDecoder(config.maxReplyLineLength(), true, true);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      commands.arm();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    commands.arm();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      if (tls.discards(buf) || commands.hasFailed()) {
        return;
      }
      String line = buf.toString(StandardCharsets.UTF_8);
      if (log.isDebugEnabled()) {
        log.debug("S: {}", line);
      }
      commands.onLine(line);
    } finally {
      buf.release();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    writer.resume();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e) {
      tls.handshakeDone(e);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    PendingReply head = commands.oldest();
    commands.fail(
        new SmtpConnectionException(
            "connection closed by the server"
                + (head != null ? " while waiting for the reply to " + head.verb : "")));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      commands.fail(
          new SmtpConnectionException(
              "reply line longer than " + maxLineLength + " octets", cause));
    } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException ssl) {
      commands.fail(new SmtpConnectionException("TLS failed: " + ssl.getMessage(), ssl));
    } else {
      commands.fail(new SmtpConnectionException("connection failed: " + cause.getMessage(), cause));
    }
  }
}
