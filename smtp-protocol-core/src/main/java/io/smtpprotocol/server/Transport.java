package io.smtpprotocol.server;

/** The Netty transport a server uses. */
public enum Transport {
  /** Epoll when its native library is available, else NIO. */
  AUTO,
  /** Java NIO. */
  NIO,
  /** Linux epoll (needs netty-transport-native-epoll). */
  EPOLL
}
