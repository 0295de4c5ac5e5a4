@echo off
rem Starts the Switchyard agent from its package: only Node.js >= 20 is needed, no npm install, no build.
rem   SWITCHYARD_NODE        the node executable (default: node on PATH)
rem   SWITCHYARD_AGENT_HOME  the agent home (default: this package's folder); --home DIR wins over it
setlocal
for %%I in ("%~dp0..") do set "PACKAGE_DIR=%%~fI"
if not defined SWITCHYARD_NODE set "SWITCHYARD_NODE=node"
if not defined SWITCHYARD_AGENT_HOME set "SWITCHYARD_AGENT_HOME=%PACKAGE_DIR%"
where "%SWITCHYARD_NODE%" >nul 2>nul || if not exist "%SWITCHYARD_NODE%" (
  echo switchyard-agent: Node.js ^>= 20 is needed, but "%SWITCHYARD_NODE%" was not found ^(install Node.js or set SWITCHYARD_NODE to its path^) 1>&2
  exit /b 1
)
"%SWITCHYARD_NODE%" "%PACKAGE_DIR%\lib\switchyard-agent.mjs" %*
exit /b %ERRORLEVEL%
