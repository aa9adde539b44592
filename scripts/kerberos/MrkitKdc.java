// The KDC of `mrkit cluster up` with --secure: Hadoop's MiniKdc on a fixed port, each keytab
// written once (a principal created again gets new random keys and older keytabs stop working).
// Run in Java's source-file mode by mr/engines/secure.py:
//   java -cp 'LIB/*' MrkitKdc.java WORKDIR PORT KEYTAB=PRINCIPAL,PRINCIPAL ...
// Prints "KDC READY realm=MRKIT.TEST port=PORT" when every keytab is written, then serves until
// it is killed. Keytabs are made 0600 before that line.
import java.io.File;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.apache.hadoop.minikdc.MiniKdc;

public class MrkitKdc {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: MrkitKdc WORKDIR PORT KEYTAB=PRINCIPAL[,PRINCIPAL...] ...");
      System.exit(2);
    }
    Properties conf = MiniKdc.createConf();
    conf.setProperty(MiniKdc.ORG_NAME, "MRKIT");
    conf.setProperty(MiniKdc.ORG_DOMAIN, "TEST");
    conf.setProperty(MiniKdc.KDC_BIND_ADDRESS, "localhost");
    conf.setProperty(MiniKdc.KDC_PORT, args[1]);
    conf.setProperty(MiniKdc.TRANSPORT, "TCP");
    MiniKdc kdc = new MiniKdc(conf, new File(args[0]));
    kdc.start();
    Runtime.getRuntime().addShutdownHook(new Thread(kdc::stop));
    for (int i = 2; i < args.length; i++) {
      String[] group = args[i].split("=", 2);
      File keytab = new File(group[0]);
      Files.deleteIfExists(keytab.toPath());
      Files.createFile(keytab.toPath(), PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      kdc.createPrincipal(keytab, group[1].split(","));
      Files.setPosixFilePermissions(keytab.toPath(), PosixFilePermissions.fromString("rw-------"));
    }
    System.out.println("KDC READY realm=" + kdc.getRealm() + " port=" + kdc.getPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
