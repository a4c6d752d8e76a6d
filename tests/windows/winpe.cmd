@echo off
rem tests/windows/winpe.cmd - repairs a Windows volume the way a WinPE
rem startnet.cmd would, with bootfix.exe, checking ERRORLEVEL after each step:
rem
rem   cmd /c winpe.cmd BOOTFIX.EXE TARGET
rem
rem   status; enable-dump; serial-console on; safeboot on network; then a
rem   usage error that must give ERRORLEVEL 2 and a missing target that must
rem   give ERRORLEVEL 1, both writing nothing.
rem
rem Exit status: 0 all done; 10 + the step that failed (11 status,
rem 12 enable-dump, 13 serial-console, 14 safeboot, 15 the usage error was
rem not reported as 2, 16 the missing target was not reported as 1);
rem 2 usage of this script.  Run by tests/windows/test_windows.sh.

setlocal
set BOOTFIX=%~1
set TARGET=%~2
if "%BOOTFIX%"=="" goto usage
if "%TARGET%"=="" goto usage

echo winpe: bootfix status %TARGET%
"%BOOTFIX%" status %TARGET%
if errorlevel 1 (
    echo winpe: status failed with %ERRORLEVEL%
    exit /b 11
)

echo winpe: bootfix enable-dump %TARGET%
"%BOOTFIX%" enable-dump %TARGET%
if %ERRORLEVEL% NEQ 0 (
    echo winpe: enable-dump failed with %ERRORLEVEL%
    exit /b 12
)

echo winpe: bootfix serial-console on %TARGET%
"%BOOTFIX%" serial-console on %TARGET%
if errorlevel 1 (
    echo winpe: serial-console on failed with %ERRORLEVEL%
    exit /b 13
)

echo winpe: bootfix safeboot on network %TARGET%
"%BOOTFIX%" safeboot on network %TARGET%
if %ERRORLEVEL% NEQ 0 (
    echo winpe: safeboot on network failed with %ERRORLEVEL%
    exit /b 14
)

echo winpe: safeboot without on or off must be a usage error
"%BOOTFIX%" safeboot sideways %TARGET% 2>nul
if %ERRORLEVEL% NEQ 2 (
    echo winpe: safeboot sideways gave %ERRORLEVEL%, not 2
    exit /b 15
)

echo winpe: a target without Windows must fail
"%BOOTFIX%" enable-dump %TARGET%\no-such-folder 2>nul
if %ERRORLEVEL% NEQ 1 (
    echo winpe: enable-dump on a missing folder gave %ERRORLEVEL%, not 1
    exit /b 16
)

echo winpe: done
exit /b 0

:usage
echo usage: winpe.cmd BOOTFIX.EXE TARGET
exit /b 2
