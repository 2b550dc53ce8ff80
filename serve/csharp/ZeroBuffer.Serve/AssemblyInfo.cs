using System.Runtime.Versioning;

// POSIX shared memory, named semaphores and flock as glibc provides them on Linux.
[assembly: SupportedOSPlatform("linux")]
