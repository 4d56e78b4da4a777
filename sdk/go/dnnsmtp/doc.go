// DNN (DotNetNuke) SMTP settings as code: preview, a precheck that proves the settings, apply through DNN's Persona Bar API, drift detection.
package dnnsmtp
