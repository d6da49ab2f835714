using BenchmarkDotNet.Running;
using E2eeChat.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(PasswordHashingBenchmarks).Assembly).Run(args);
