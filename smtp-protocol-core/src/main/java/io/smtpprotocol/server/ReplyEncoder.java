package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes {@link Reply} values as their wire form. Stateless and shared. The replies of the {@link
 * Replies} catalogue, which make up most of the traffic, are encoded once.
 */
@ChannelHandler.Sharable
final class ReplyEncoder extends ChannelOutboundHandlerAdapter {

  /** The shared instance. */
  static final ReplyEncoder INSTANCE = new ReplyEncoder();

  /** The wire bytes of every catalogue reply, by identity; never modified after class init. */
  private static final Map<Reply, byte[]> CATALOGUE = encodeCatalogue();

  private ReplyEncoder() {}

  private static Map<Reply, byte[]> encodeCatalogue() {
    Map<Reply, byte[]> map = new IdentityHashMap<>();
    for (Field field : Replies.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == Reply.class) {
        try {
          Reply reply = (Reply) field.get(null);
          map.put(reply, reply.toWire().getBytes(StandardCharsets.UTF_8));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("cannot read Replies." + field.getName(), e);
        }
      }
    }
    return map;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof Reply reply) {
      ctx.write(encode(ctx, reply), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  private static ByteBuf encode(ChannelHandlerContext ctx, Reply reply) {
    byte[] known = CATALOGUE.get(reply);
    if (known != null) {
      return ctx.alloc().buffer(known.length).writeBytes(known);
    }
    String wire = reply.toWire();
    ByteBuf buf = ctx.alloc().buffer(ByteBufUtil.utf8MaxBytes(wire));
    ByteBufUtil.writeUtf8(buf, wire);
    return buf;
  }
}
