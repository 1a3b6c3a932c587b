'use strict';
// Returns its event as the response body (API Gateway's inferred 200 response), as examples/echo does.
module.exports.echo = async (event) => event;
