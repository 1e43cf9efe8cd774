package io.smtpprotocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.smtpprotocol.protocol.Reply;

/** Writes {@link Reply} values as their wire form. Stateless and shared. */
@ChannelHandler.Sharable
public final class ReplyEncoder extends ChannelOutboundHandlerAdapter {

  /** The shared instance. */
  public static final ReplyEncoder INSTANCE = new ReplyEncoder();

  private ReplyEncoder() {}

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof Reply reply) {
      String wire = reply.toWire();
      ByteBuf buf = ctx.alloc().buffer(ByteBufUtil.utf8MaxBytes(wire));
      ByteBufUtil.writeUtf8(buf, wire);
      ctx.write(buf, promise);
    } else {
      ctx.write(msg, promise);
    }
  }
}
