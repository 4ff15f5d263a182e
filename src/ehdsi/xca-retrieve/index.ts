export { buildRetrieveRequest, parseRetrieveResponse, retrieveDocument, type DocumentRequest, type RetrievedDocument, type RetrieveResult } from './retrieve.js';
