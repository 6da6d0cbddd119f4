fn main() -> std::process::ExitCode {
    vendor::cli::main()
}
