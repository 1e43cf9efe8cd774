package io.smtpprotocol.spring.listener;

import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.server.SmtpServer;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.scope.ScopedObject;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.annotation.Order;
import org.springframework.core.annotation.OrderUtils;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

/**
 * Finds the {@link SmtpListener} methods of all beans once the singletons exist, checks their
 * signatures (a bad one fails the start-up, naming the bean and method), and makes the {@link
 * SmtpHandler} that calls them ({@link #handler()}).
 *
 * <p>Listener beans are looked up when an event first reaches them, not when they are found.
 */
public final class SmtpListenerMethodProcessor
    implements BeanFactoryPostProcessor,
        SmartInitializingSingleton,
        ApplicationListener<ContextRefreshedEvent> {

  /** The name of the auto-configured handler bean made by {@link #handler()}. */
  public static final String HANDLER_BEAN_NAME = "smtpListenerHandler";

  private static final Logger log = LoggerFactory.getLogger(SmtpListenerMethodProcessor.class);

  private @Nullable ConfigurableListableBeanFactory beanFactory;
  private @Nullable Map<SmtpEvent, List<ListenerMethod>> listeners;
  private boolean processedEarly;
  private @Nullable SmtpHandler handler;
  private boolean warned;

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void afterSingletonsInstantiated() {
    Map<SmtpEvent, List<ListenerMethod>> found = scan(true);
    synchronized (this) {
      if (listeners == null) {
        listeners = found;
      } else if (processedEarly && !signatures(listeners).equals(signatures(found))) {
        Set<String> missed = signatures(found);
        missed.removeAll(signatures(listeners));
        throw new BeanInitializationException(
            "@SmtpListener methods "
                + missed
                + " were found after the SMTP server was created: a bean that injects the"
                + " SmtpServer eagerly made it too early; inject ObjectProvider<SmtpServer>"
                + " instead");
      }
    }
  }

  /**
   * Once the context is refreshed (and the server started), warns when listener methods exist but
   * their handler was never asked for: the application's own SmtpServer or SmtpHandler answers.
   */
  @Override
  public void onApplicationEvent(ContextRefreshedEvent event) {
    Map<SmtpEvent, List<ListenerMethod>> found;
    synchronized (this) {
      if (warned || handler != null || listeners == null || listeners.isEmpty()) {
        return;
      }
      warned = true;
      found = listeners;
    }
    log.warn(
        "{} @SmtpListener method(s) are not called: the application's own SmtpHandler or SmtpServer"
            + " bean answers (SmtpHandler beans: {}, SmtpServer beans: {})",
        found.values().stream().mapToInt(List::size).sum(),
        Arrays.toString(beanFactory().getBeanNamesForType(SmtpHandler.class, true, false)),
        Arrays.toString(beanFactory().getBeanNamesForType(SmtpServer.class, true, false)));
  }

  /** The listener methods per event, in order; found now if not yet found. */
  synchronized Map<SmtpEvent, List<ListenerMethod>> listeners() {
    Map<SmtpEvent, List<ListenerMethod>> l = listeners;
    if (l == null) {
      l = scan(false);
      listeners = l;
      processedEarly = true;
    }
    return l;
  }

  /**
   * The handler calling the listener methods. Its {@link SmtpHandler#handledEvents()} are the
   * events that have listeners, so the server answers every other event without leaving its event
   * loop. Without a MESSAGE listener every message is refused, and a warning says so.
   */
  public synchronized SmtpHandler handler() {
    SmtpHandler h = handler;
    if (h == null) {
      Map<SmtpEvent, List<ListenerMethod>> l = listeners();
      if (l.getOrDefault(SmtpEvent.MESSAGE, List.of()).isEmpty()) {
        log.warn(
            "No @SmtpListener(SmtpEvent.MESSAGE) method: the SMTP server refuses every message"
                + " (554 5.3.2)");
      }
      h = SmtpListenerHandler.create(l);
      handler = h;
      log.debug("SMTP listeners: {}", l);
    }
    return h;
  }

  private ConfigurableListableBeanFactory beanFactory() {
    ConfigurableListableBeanFactory bf = beanFactory;
    if (bf == null) {
      throw new IllegalStateException("SmtpListenerMethodProcessor must be a bean");
    }
    return bf;
  }

  /**
   * Finds and checks the listener methods.
   *
   * @param singletonsExist false when asked before all singletons exist: factory beans are then not
   *     initialized to learn their types
   */
  private Map<SmtpEvent, List<ListenerMethod>> scan(boolean singletonsExist) {
    ConfigurableListableBeanFactory bf = beanFactory();
    List<ListenerMethod> all = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String beanName : bf.getBeanNamesForType(Object.class, true, singletonsExist)) {
      if (ScopedProxyUtils.isScopedTarget(beanName)) {
        continue;
      }
      Class<?> type = targetType(bf, beanName);
      if (type == null
          || !AnnotationUtils.isCandidateClass(type, SmtpListener.class)
          || isSpringContainerClass(type)) {
        continue;
      }
      Map<Method, SmtpListener> annotated;
      try {
        annotated =
            MethodIntrospector.selectMethods(
                type,
                (MethodIntrospector.MetadataLookup<SmtpListener>)
                    m -> AnnotatedElementUtils.findMergedAnnotation(m, SmtpListener.class));
      } catch (Throwable e) {
        log.debug("Could not resolve the methods of bean '{}'", beanName, e);
        continue;
      }
      List<Map.Entry<Method, SmtpListener>> entries = new ArrayList<>(annotated.entrySet());
      entries.sort(Comparator.comparing(e -> e.getKey().toGenericString()));
      for (Map.Entry<Method, SmtpListener> e : entries) {
        Class<?> beanType = bf.getType(beanName, singletonsExist);
        Method method =
            AopUtils.selectInvocableMethod(e.getKey(), beanType != null ? beanType : type);
        try {
          all.add(
              ListenerMethod.of(
                  bf, beanName, method, e.getValue().value(), order(e.getKey(), type)));
        } catch (IllegalStateException ex) {
          problems.add(ex.getMessage());
        }
      }
    }
    Map<SmtpEvent, List<ListenerMethod>> byEvent = new EnumMap<>(SmtpEvent.class);
    all.sort(
        Comparator.comparingInt(
            ListenerMethod::order)); // stable: ties keep bean, then method name order
    for (ListenerMethod l : all) {
      byEvent.computeIfAbsent(l.event(), k -> new ArrayList<>()).add(l);
    }
    checkBodyUse(byEvent.getOrDefault(SmtpEvent.MESSAGE, List.of()), problems);
    if (!problems.isEmpty()) {
      throw new BeanInitializationException(String.join("\n", problems));
    }
    byEvent.replaceAll((event, list) -> List.copyOf(list));
    return byEvent;
  }

  private static void checkBodyUse(List<ListenerMethod> message, List<String> problems) {
    List<ListenerMethod> streaming =
        message.stream().filter(l -> l.bodyUse() == ListenerMethod.BodyUse.STREAM).toList();
    List<ListenerMethod> buffered =
        message.stream().filter(l -> l.bodyUse() == ListenerMethod.BodyUse.BUFFERED).toList();
    if (streaming.size() > 1) {
      problems.add(
          "Only one @SmtpListener(MESSAGE) method may read the body as a stream (InputStream or"
              + " MessageBody), but "
              + streaming.size()
              + " do: "
              + streaming
              + "; take byte[] or MimeMessage in all but one");
    } else if (streaming.size() == 1 && !buffered.isEmpty()) {
      problems.add(
          "@SmtpListener(MESSAGE) method "
              + streaming.get(0)
              + " reads the body as a stream, so no other listener can have it, but "
              + buffered
              + " want it whole; take byte[] or MimeMessage in all of them");
    }
  }

  private static int order(Method method, Class<?> type) {
    Order order = AnnotatedElementUtils.findMergedAnnotation(method, Order.class);
    if (order != null) {
      return order.value();
    }
    return OrderUtils.getOrder(type, Ordered.LOWEST_PRECEDENCE);
  }

  private static Set<String> signatures(Map<SmtpEvent, List<ListenerMethod>> listeners) {
    return listeners.values().stream()
        .flatMap(List::stream)
        .map(ListenerMethod::toString)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static @Nullable Class<?> targetType(
      ConfigurableListableBeanFactory bf, String beanName) {
    Class<?> type;
    try {
      type = AutoProxyUtils.determineTargetClass(bf, beanName);
    } catch (Throwable e) {
      log.debug("Could not resolve the type of bean '{}'", beanName, e);
      return null;
    }
    if (type != null && ScopedObject.class.isAssignableFrom(type)) {
      try {
        Class<?> target =
            AutoProxyUtils.determineTargetClass(bf, ScopedProxyUtils.getTargetBeanName(beanName));
        if (target != null) {
          type = target;
        }
      } catch (Throwable e) {
        log.debug("Could not resolve the target of scoped proxy '{}'", beanName, e);
      }
    }
    return type;
  }

  private static boolean isSpringContainerClass(Class<?> type) {
    return type.getName().startsWith("org.springframework.")
        && !AnnotatedElementUtils.isAnnotated(ClassUtils.getUserClass(type), Component.class);
  }
}
